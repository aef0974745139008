import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../shared/domain-error';
import {
  decideIdempotency,
  IDEMPOTENCY_KEY_TTL_SECONDS,
} from '../merchant-auth/domain/idempotency';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

export interface StoredResponse<B> {
  status: number;
  body: B;
}

export type IdempotentOutcome<B> = StoredResponse<B> & { replayed: boolean };

/**
 * How long a request may hold its key before a retry may assume it died. Longer than any
 * request we serve, shorter than a merchant's patience.
 */
const CLAIM_SECONDS = 60;

/**
 * Stripe's Idempotency-Key semantics on Postgres. A request first claims its key in its own
 * short transaction, so a concurrent duplicate sees the claim at once and gets a 409. The work
 * then runs in a transaction that also records the response, so "order created" and "key
 * completed" commit together. A request that fails releases its key: nothing was done, so a
 * retry with the same key is a fresh attempt.
 *
 * The lease is fenced by an owner token: each claim or takeover writes a new random token, and
 * completing or releasing the key only touches the row while it still carries the caller's. A
 * request slower than its lease, whose key another request has taken over, therefore cannot
 * complete the key (its whole transaction, the order included, rolls back: 409
 * IDEMPOTENCY.LEASE_LOST) nor delete the key the other request now holds.
 */
@Injectable()
export class IdempotentRequests {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run<B>(
    appId: string,
    key: string,
    fingerprint: string,
    work: (manager: EntityManager) => Promise<StoredResponse<B>>,
  ): Promise<IdempotentOutcome<B>> {
    const claim = await this.claim<B>(appId, key, fingerprint);
    if (claim.kind === 'replay') return { ...claim.response, replayed: true };
    const { ownerToken } = claim;
    try {
      const response = await this.dataSource.transaction(async (manager) => {
        const result = await work(manager);
        const completed = await manager
          .createQueryBuilder()
          .update(IdempotencyKeyEntity)
          .set({
            state: 'COMPLETED',
            responseStatus: result.status,
            responseBody: result.body as object,
            ownerToken: null,
          })
          .where(
            "app_id = :appId AND idempotency_key = :key AND state = 'IN_PROGRESS' AND owner_token = :ownerToken",
            { appId, key, ownerToken },
          )
          .execute();
        if (completed.affected !== 1) {
          // Throwing rolls back everything `work` did: the request that took over does it.
          throw new DomainError(
            'IDEMPOTENCY.LEASE_LOST',
            'This request took longer than its Idempotency-Key lease and a retry with the same key took over; nothing of this attempt was kept. Retry with the same key to get that outcome.',
            'Idempotency-Key',
          );
        }
        return result;
      });
      return { ...response, replayed: false };
    } catch (error) {
      // Only while the lease is still ours: never the key a takeover now holds, nor a completed one.
      await this.dataSource
        .createQueryBuilder()
        .delete()
        .from(IdempotencyKeyEntity)
        .where(
          "app_id = :appId AND idempotency_key = :key AND state = 'IN_PROGRESS' AND owner_token = :ownerToken",
          { appId, key, ownerToken },
        )
        .execute();
      throw error;
    }
  }

  private async claim<B>(
    appId: string,
    key: string,
    fingerprint: string,
  ): Promise<
    { kind: 'claimed'; ownerToken: string } | { kind: 'replay'; response: StoredResponse<B> }
  > {
    // Whoever takes the lease, first or by takeover, gets a token of its own (see run()).
    const ownerToken = randomBytes(18).toString('base64url');
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(IdempotencyKeyEntity);
      const now = new Date();
      const lockedUntil = new Date(now.getTime() + CLAIM_SECONDS * 1000);
      const inserted = await repository
        .createQueryBuilder()
        .insert()
        .values({
          appId,
          idempotencyKey: key,
          fingerprint,
          state: 'IN_PROGRESS',
          lockedUntil,
          ownerToken,
        })
        .orIgnore()
        .execute();
      if ((inserted.raw as unknown[]).length > 0) return { kind: 'claimed', ownerToken };

      const existing = await repository
        .createQueryBuilder('key')
        .setLock('pessimistic_write')
        .where('key.app_id = :appId AND key.idempotency_key = :key', { appId, key })
        .getOneOrFail();
      if (existing.createdAt.getTime() < now.getTime() - IDEMPOTENCY_KEY_TTL_SECONDS * 1000) {
        // An expired key is forgotten, as Stripe forgets keys after 24 hours.
        await repository.update(
          { appId, idempotencyKey: key },
          {
            fingerprint,
            state: 'IN_PROGRESS',
            lockedUntil,
            responseStatus: null,
            responseBody: () => 'NULL',
            createdAt: now,
            ownerToken,
          },
        );
        return { kind: 'claimed', ownerToken };
      }
      const decision = decideIdempotency<StoredResponse<B>>(
        {
          fingerprint: existing.fingerprint,
          state: existing.state,
          lockedUntil: existing.lockedUntil,
          response:
            existing.state === 'COMPLETED'
              ? { status: existing.responseStatus!, body: existing.responseBody as B }
              : undefined,
        },
        fingerprint,
        now,
      );
      switch (decision.action) {
        case 'replay':
          return { kind: 'replay', response: decision.response };
        case 'proceed':
          // The previous holder's claim lapsed (it crashed mid-request): take the key over.
          // A new owner token fences the previous holder out, should it turn out to be alive.
          await repository.update(
            { appId, idempotencyKey: key },
            { lockedUntil, fingerprint, ownerToken },
          );
          return { kind: 'claimed', ownerToken };
        case 'reject':
          throw new DomainError(
            decision.code,
            'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
            'Idempotency-Key',
          );
        case 'conflict':
          throw new DomainError(
            decision.code,
            'A request with this Idempotency-Key is still being processed. Retry after it completes.',
            'Idempotency-Key',
          );
      }
    });
  }
}
