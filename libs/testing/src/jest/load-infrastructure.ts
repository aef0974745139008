import { ENV_VARIABLES } from '../infrastructure';
import { readInfrastructureState } from './state-file';

// Runs in every test worker before its test file: expose what global setup found.
const infrastructure = readInfrastructureState();
process.env[ENV_VARIABLES.databaseUrl] = infrastructure.databaseUrl;
process.env[ENV_VARIABLES.redisUrl] = infrastructure.redisUrl;
process.env[ENV_VARIABLES.kafkaBrokers] = infrastructure.kafkaBrokers.join(',');
process.env.PAYLAB_TEST_INFRASTRUCTURE_MODE = infrastructure.mode;
