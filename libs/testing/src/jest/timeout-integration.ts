// Real brokers and databases are slower than mocks; a hung test still fails, just later.
jest.setTimeout(120_000);
