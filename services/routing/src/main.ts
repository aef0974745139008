import 'reflect-metadata';
import { runService } from '@paylab/platform';
import { routingService } from './service';

runService(routingService);
