export * from './database';
export * from './disposable-kafka';
export * from './infrastructure';
export * from './wait-for';
export { REPO_ROOT } from './jest/state-file';
export * from './dead-letters';
export * from './fault-proxy';
