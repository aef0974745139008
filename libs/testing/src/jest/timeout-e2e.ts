// End-to-end tests start service processes and wait for real payments to flow.
jest.setTimeout(300_000);
