/**
 * A refusal in WeChat Pay APIv3's own shape: an HTTP status and `{code, message[, detail]}`.
 * The API controller answers it signed; it never becomes PayLab's `{error:{…}}` shape, because
 * a merchant's WeChat Pay SDK expects WeChat Pay's. Per-endpoint codes beyond PARAM_ERROR,
 * SIGN_ERROR and ORDER_NOT_EXIST follow the public docs and are not confirmed against the real API.
 */
export class WechatPayError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly wechatCode: string,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'WechatPayError';
  }

  toBody(): Record<string, unknown> {
    return {
      code: this.wechatCode,
      message: this.message,
      ...(this.detail ? { detail: this.detail } : {}),
    };
  }
}

export const paramError = (field: string, message: string) =>
  new WechatPayError(400, 'PARAM_ERROR', `${field}: ${message}`, {
    field,
    location: field.startsWith('query.') ? 'query' : 'body',
  });

export const signError = (message: string) => new WechatPayError(401, 'SIGN_ERROR', message);

export const orderNotExist = () => new WechatPayError(404, 'ORDER_NOT_EXIST', '订单不存在');
