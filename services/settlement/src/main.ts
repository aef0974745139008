import 'reflect-metadata';
import { runService } from '@paylab/platform';
import { settlementService } from './service';

runService(settlementService);
