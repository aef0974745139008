import { Inject, Injectable } from '@nestjs/common';
import { lockTermsAgainstBuilds } from '../batches/settlement-locks';
import { InjectDataSource } from '@nestjs/typeorm';
import { newId } from '@paylab/ids';
import { ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import type { DataSource } from 'typeorm';
import { shanghaiDateOf } from '../calendar/domain/business-date';
import { defaultTerms, type SettlementTerms } from './domain/settlement-terms';
import {
  diffTerms,
  effectiveFromOfChange,
  parseTermsChange,
  termsFromChange,
} from './domain/terms-change';
import { SettlementTermsStore, type TermsChangeRecord } from './settlement-terms.store';
import {
  toTermsView,
  type TermsChangeResultView,
  type TermsChangeView,
  type TermsHistoryView,
  type TermsOverviewView,
} from './settlement-terms.views';

/** Who asks for a change, as the operator guard identified them. */
export interface TermsEditor {
  readonly operator: string;
  readonly role: string;
}

function changeView(record: TermsChangeRecord): TermsChangeView {
  return {
    changeId: record.id,
    merchantId: record.merchantId,
    version: record.version,
    changedBy: { operator: record.changedBy, role: record.changedByRole },
    changedAt: record.changedAt.toISOString(),
    reason: record.reason,
    effectiveFrom: record.effectiveFrom,
    changes: diffTerms(record.before, record.after),
    before: toTermsView(record.before),
    after: toTermsView(record.after),
  };
}

/**
 * What operators do with settlement terms (结算条款): read them, change them (a new version from
 * the next business date whose batches are not built yet) and read who changed what and why.
 */
@Injectable()
export class SettlementTermsAdmin {
  private readonly log: PaylabLogger;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: SettlementTermsStore,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.log = logger.child({ component: 'settlement-terms' });
  }

  async overview(merchantId: string, now = new Date()): Promise<TermsOverviewView> {
    const today = shanghaiDateOf(now);
    const versions = await this.store.versions(this.dataSource.manager, merchantId);
    const inForce = versions.filter((terms) => terms.effectiveFrom <= today);
    // Per future date, the newest version saved for it wins (versions are ordered).
    const byDate = new Map<string, SettlementTerms>();
    for (const terms of versions) {
      if (terms.effectiveFrom > today) byDate.set(terms.effectiveFrom, terms);
    }
    return {
      merchantId,
      configured: versions.length > 0,
      today,
      current: toTermsView(inForce[inForce.length - 1] ?? defaultTerms(merchantId)),
      scheduled: [...byDate.values()]
        .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1))
        .map(toTermsView),
    };
  }

  /**
   * Saves the terms in `body` as the merchant's next version. Checked before any write; the new
   * version and its audit row are written in one transaction under the merchant's lock. Asking
   * again for the terms of the newest version writes nothing (a repeated PUT is harmless).
   */
  async change(
    merchantId: string,
    body: unknown,
    editor: TermsEditor,
    clock: () => Date = () => new Date(),
  ): Promise<TermsChangeResultView> {
    const request = parseTermsChange(body);
    const outcome = await this.dataSource.transaction(async (manager) => {
      await this.store.lockMerchant(manager, merchantId);
      await lockTermsAgainstBuilds(manager, 'TERMS_CHANGE');
      // Read the time only once the lock is ours, so the audit trail's order is the versions'.
      const now = clock();
      const newest = await this.store.newest(manager, merchantId);
      if (newest && diffTerms(newest, request).length === 0) {
        return { created: false as const, terms: newest };
      }
      const effectiveFrom = effectiveFromOfChange(
        shanghaiDateOf(now),
        await this.store.lastBuildStarted(manager),
        newest?.effectiveFrom ?? null,
      );
      // What would have applied on effectiveFrom without this change.
      const before = newest ?? defaultTerms(merchantId);
      const after = termsFromChange(merchantId, (newest?.version ?? 0) + 1, effectiveFrom, request);
      const record: TermsChangeRecord = {
        id: newId('stc'),
        merchantId,
        version: after.version,
        changedBy: editor.operator,
        changedByRole: editor.role,
        changedAt: now,
        reason: request.reason,
        before,
        after,
        effectiveFrom,
      };
      await this.store.insertVersion(manager, after, editor.operator);
      await this.store.insertChange(manager, record);
      return { created: true as const, terms: after, record };
    });
    if (!outcome.created) {
      return { created: false, terms: toTermsView(outcome.terms), change: null };
    }
    this.log.info(
      {
        merchantId,
        version: outcome.terms.version,
        effectiveFrom: outcome.terms.effectiveFrom,
        changeId: outcome.record.id,
        operator: editor.operator,
        fields: diffTerms(outcome.record.before, outcome.record.after).map(({ field }) => field),
      },
      'settlement terms changed',
    );
    return { created: true, terms: toTermsView(outcome.terms), change: changeView(outcome.record) };
  }

  async history(merchantId: string): Promise<TermsHistoryView> {
    const records = await this.store.changes(this.dataSource.manager, merchantId);
    return { merchantId, changes: records.map(changeView) };
  }
}
