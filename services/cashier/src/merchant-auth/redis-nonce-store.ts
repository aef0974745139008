import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@paylab/platform';
import type Redis from 'ioredis';
import { DomainError } from '../shared/domain-error';
import type { NonceStore } from './domain/request-signature';

/**
 * Nonces seen within the replay window, in Redis with a TTL. If Redis is unreachable the
 * request is refused (fail closed): accepting it could let a captured request be replayed.
 */
@Injectable()
export class RedisNonceStore implements NonceStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async claim(appId: string, nonce: string, ttlSeconds: number): Promise<boolean> {
    try {
      const answer = await this.redis.set(
        `paylab:cashier:nonce:${appId}:${nonce}`,
        '1',
        'EX',
        ttlSeconds,
        'NX',
      );
      return answer === 'OK';
    } catch (error) {
      throw new DomainError(
        'AUTH.NONCE_STORE_UNAVAILABLE',
        `Request authentication is temporarily unavailable (${error instanceof Error ? error.message : 'Redis error'}). Retry shortly.`,
      );
    }
  }
}
