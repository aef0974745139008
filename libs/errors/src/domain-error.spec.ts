import { DomainError } from './domain-error';

class RefundError extends DomainError<'REFUND.EXCEEDS_PAID_AMOUNT'> {}

describe('DomainError', () => {
  it('carries code, message, param and details, and keeps instanceof through subclasses', () => {
    const error = new RefundError('REFUND.EXCEEDS_PAID_AMOUNT', 'too much', 'amount', {
      refundable: '10',
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toBeInstanceOf(RefundError);
    expect(error.name).toBe('RefundError');
    expect(error).toMatchObject({
      code: 'REFUND.EXCEEDS_PAID_AMOUNT',
      message: 'too much',
      param: 'amount',
      details: { refundable: '10' },
    });
  });
});
