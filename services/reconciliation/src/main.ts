import 'reflect-metadata';
import { runService } from '@paylab/platform';
import { reconciliationService } from './service';

runService(reconciliationService);
