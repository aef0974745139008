export * from './business-date';
export * from './matcher';
export * from './matching-rule';
export * from './recon-error';
export * from './records';
export * from './statements';
