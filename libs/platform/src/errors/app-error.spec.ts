import { AppError, ERROR_TYPES, type ErrorType } from './app-error';

describe('AppError', () => {
  it('is an Error carrying type, code, message and param', () => {
    const error = new AppError('invalid_request_error', 'PAYMENT.AMOUNT_INVALID', 'bad', 'amount');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(AppError);
    expect(error.name).toBe('AppError');
    expect(error.type).toBe('invalid_request_error');
    expect(error.code).toBe('PAYMENT.AMOUNT_INVALID');
    expect(error.message).toBe('bad');
    expect(error.param).toBe('amount');
  });

  it.each(Object.entries(ERROR_TYPES) as Array<[ErrorType, number]>)(
    'maps %s to HTTP %i',
    (type, status) => {
      expect(new AppError(type, 'X.Y', 'm').httpStatus).toBe(status);
    },
  );

  it('uses the expected statuses for the main types', () => {
    expect(ERROR_TYPES).toMatchObject({
      invalid_request_error: 400,
      authentication_error: 401,
      permission_error: 403,
      not_found_error: 404,
      conflict_error: 409,
      rate_limit_error: 429,
      api_error: 500,
      service_unavailable_error: 503,
    });
  });

  describe('toBody', () => {
    it('omits param and requestId when they are undefined', () => {
      const body = new AppError('not_found_error', 'PAYMENT.NOT_FOUND', 'No such payment').toBody();
      expect(body).toEqual({
        error: { type: 'not_found_error', code: 'PAYMENT.NOT_FOUND', message: 'No such payment' },
      });
      expect(Object.keys(body.error)).toEqual(['type', 'code', 'message']);
      expect(JSON.stringify(body)).not.toContain('param');
      expect(JSON.stringify(body)).not.toContain('requestId');
    });

    it('includes param and requestId when given', () => {
      const body = new AppError('invalid_request_error', 'REQUEST.INVALID', 'bad', 'amount').toBody(
        'req_123',
      );
      expect(body).toEqual({
        error: {
          type: 'invalid_request_error',
          code: 'REQUEST.INVALID',
          message: 'bad',
          param: 'amount',
          requestId: 'req_123',
        },
      });
    });

    it('includes only the requestId when there is no param', () => {
      const body = new AppError('api_error', 'INTERNAL.UNEXPECTED', 'oops').toBody('req_1');
      expect(body.error).toEqual({
        type: 'api_error',
        code: 'INTERNAL.UNEXPECTED',
        message: 'oops',
        requestId: 'req_1',
      });
      expect(body.error).not.toHaveProperty('param');
    });

    it('includes only the param when there is no requestId', () => {
      const body = new AppError('conflict_error', 'X.Y', 'm', 'id').toBody();
      expect(body.error).toEqual({
        type: 'conflict_error',
        code: 'X.Y',
        message: 'm',
        param: 'id',
      });
      expect(body.error).not.toHaveProperty('requestId');
    });

    it('keeps an empty-string param and requestId (only undefined is omitted)', () => {
      const body = new AppError('conflict_error', 'X.Y', 'm', '').toBody('');
      expect(body.error.param).toBe('');
      expect(body.error.requestId).toBe('');
    });

    it('never puts the stack trace in the body', () => {
      const body = new AppError('api_error', 'INTERNAL.UNEXPECTED', 'oops').toBody('req_1');
      expect(JSON.stringify(body)).not.toContain('at ');
      expect(body.error).not.toHaveProperty('stack');
    });
  });
});
