import 'reflect-metadata';
import { runService } from '@paylab/platform';
import { channelSandboxService } from './service';

runService(channelSandboxService);
