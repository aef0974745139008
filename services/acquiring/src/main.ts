import 'reflect-metadata';
import { runService } from '@paylab/platform';
import { acquiringService } from './service';

runService(acquiringService);
