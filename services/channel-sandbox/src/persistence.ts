import { CreateSandboxTrades1732406500000 } from './migrations/1732406500000-create-sandbox-trades';

/** The entities and migrations of the channel_sandbox schema (it publishes no events). */
export const CHANNEL_SANDBOX_ENTITIES: Function[] = [];
export const CHANNEL_SANDBOX_MIGRATIONS: Function[] = [CreateSandboxTrades1732406500000];
