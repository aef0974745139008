export * from './catalogue';
export * from './define-event';
export * from './events/channel-payments';
export * from './events/clearings';
export * from './events/common';
export * from './events/payment-orders';
export * from './topics';
export * from './wire';
