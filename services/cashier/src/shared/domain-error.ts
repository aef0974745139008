/** The one coded-error base class, shared by every service (libs/errors). */
export { DomainError } from '@paylab/errors';
