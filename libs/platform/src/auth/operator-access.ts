import { SetMetadata } from '@nestjs/common';

/**
 * Who may call an internal or admin endpoint (operators and the console). Every HTTP
 * route of every service requires an operator credential unless it is marked otherwise:
 * - `@PublicEndpoint()`: no operator credential (health, metrics, docs, payer pages, channel
 *   callbacks, and the merchant Open API, which has its own signature guard);
 * - `@OperatorRoles('operator', …)`: only these roles (admin is always allowed);
 * - neither: reads (GET, HEAD) are open to every role, changes to admin only — a forgotten
 *   annotation fails closed.
 * `service` is the role of another PayLab service calling with its own credential.
 */
export const OPERATOR_ROLES = ['admin', 'operator', 'instructor', 'viewer', 'service'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export const PUBLIC_ENDPOINT = 'paylab:public-endpoint';
export const ALLOWED_ROLES = 'paylab:allowed-roles';

export const PublicEndpoint = () => SetMetadata(PUBLIC_ENDPOINT, true);
export const OperatorRoles = (...roles: OperatorRole[]) => SetMetadata(ALLOWED_ROLES, roles);
