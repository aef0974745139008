import 'reflect-metadata';
import { runService } from '@paylab/platform';
import { cashierService } from './service';

runService(cashierService);
