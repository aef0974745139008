/**
 * A refusal the gateway answers with (HTTP 200, in the signed `<method>_response` node): the
 * public `code` says what kind of failure it is, `sub_code` the precise reason, as Alipay's
 * documented codes do. Thrown by the gateway's checks and the trade rules alike.
 */
export const GATEWAY_CODES = {
  '20000': 'Service Currently Unavailable',
  '40001': 'Missing Required Arguments',
  '40002': 'Invalid Arguments',
  '40004': 'Business Failed',
  '40006': 'Insufficient Permissions',
} as const;
export type GatewayCode = keyof typeof GATEWAY_CODES;

export class GatewayError extends Error {
  constructor(
    readonly gatewayCode: GatewayCode,
    readonly subCode: string,
    readonly subMsg: string,
  ) {
    super(`${gatewayCode} ${subCode}: ${subMsg}`);
    this.name = 'GatewayError';
  }

  toNode(): Record<string, string> {
    return {
      code: this.gatewayCode,
      msg: GATEWAY_CODES[this.gatewayCode],
      sub_code: this.subCode,
      sub_msg: this.subMsg,
    };
  }
}

export const invalidParameter = (subMsg: string) =>
  new GatewayError('40004', 'ACQ.INVALID_PARAMETER', subMsg);

export const tradeNotExist = () =>
  new GatewayError('40004', 'ACQ.TRADE_NOT_EXIST', '交易不存在 (trade does not exist)');
