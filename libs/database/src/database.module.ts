import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HealthRegistry } from '@paylab/platform';
import { DataSource } from 'typeorm';
import { dataSourceOptions, prepareSchema, type ServiceDatabaseOptions } from './data-source';

@Injectable()
class DatabaseHealth implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register({
      name: 'postgres',
      check: async () => {
        await this.dataSource.query('SELECT 1');
      },
    });
  }
}

/**
 * The service's TypeORM connection, opened only after its schema and migrations are in place.
 * TypeOrmModule closes it in onApplicationShutdown, after consumers and the relay have stopped.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: ServiceDatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(options),
          dataSourceFactory: async (typeormOptions) => {
            await prepareSchema(options);
            return new DataSource(typeormOptions!).initialize();
          },
        }),
      ],
      providers: [DatabaseHealth],
      exports: [TypeOrmModule],
    };
  }
}
