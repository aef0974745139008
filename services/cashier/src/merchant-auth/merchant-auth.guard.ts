import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import type { DataSource } from 'typeorm';
import { MerchantAppEntity } from '../merchants/merchant-app.entity';
import { MerchantEntity } from '../merchants/merchant.entity';
import { DomainError } from '../shared/domain-error';
import {
  DEFAULT_REPLAY_WINDOW_SECONDS,
  nonceTtlSeconds,
  parseAuthorizationHeader,
  verifySignature,
} from './domain/request-signature';
import { RedisNonceStore } from './redis-nonce-store';

/** Who is calling: set by MerchantAuthGuard, read by handlers with @CurrentMerchant(). */
export interface MerchantContext {
  merchantId: string;
  appId: string;
}

type AuthenticatedRequest = Request & { rawBody?: Buffer; merchant?: MerchantContext };

/**
 * Authenticates the merchant Open API: app id plus an HMAC-SHA256 signature over
 * method, path, query, timestamp, nonce and the exact body bytes, a 5-minute window, and
 * nonces remembered in Redis so a captured request cannot be replayed.
 */
@Injectable()
export class MerchantAuthGuard implements CanActivate {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly nonces: RedisNonceStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [path, query = ''] = request.originalUrl.split(/\?(.*)/s, 2);
    let app: MerchantAppEntity | null = null;
    const appId = await verifySignature({
      header: request.header('authorization'),
      method: request.method,
      path,
      query,
      body: request.rawBody ?? '',
      now: new Date(),
      replayWindowSeconds: DEFAULT_REPLAY_WINDOW_SECONDS,
      secretOf: async (candidate) => {
        app = await this.dataSource
          .getRepository(MerchantAppEntity)
          .findOneBy({ id: candidate, status: 'ACTIVE' });
        return app?.signingSecret;
      },
    });
    const { nonce } = parseAuthorizationHeader(request.header('authorization'));
    if (!(await this.nonces.claim(appId, nonce, nonceTtlSeconds(DEFAULT_REPLAY_WINDOW_SECONDS)))) {
      throw new DomainError(
        'AUTH.NONCE_REPLAYED',
        'This nonce was already used. Sign every request with a fresh nonce.',
      );
    }
    const merchantId = (app as MerchantAppEntity | null)!.merchantId;
    const merchant = await this.dataSource
      .getRepository(MerchantEntity)
      .findOneBy({ id: merchantId });
    if (merchant?.status !== 'ACTIVE') {
      throw new DomainError('AUTH.MERCHANT_INACTIVE', 'This merchant account is not active.');
    }
    request.merchant = { merchantId, appId };
    return true;
  }
}

export const CurrentMerchant = createParamDecorator(
  (_data: unknown, context: ExecutionContext): MerchantContext => {
    const merchant = context.switchToHttp().getRequest<AuthenticatedRequest>().merchant;
    if (!merchant) throw new Error('CurrentMerchant used on a route without MerchantAuthGuard');
    return merchant;
  },
);
