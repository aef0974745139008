import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppError } from '../errors/app-error';

export const ACCEPTED_BODY_TYPES = 'paylab:accepted-body-types';
const JSON_ONLY: readonly string[] = ['application/json'];
export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/**
 * The media types a route's request body may have. Every route takes JSON only unless it says
 * otherwise: channel callbacks and the payer pages' HTML forms also take form bodies.
 */
export const AcceptsBodyTypes = (...mediaTypes: string[]) =>
  SetMetadata(
    ACCEPTED_BODY_TYPES,
    mediaTypes.map((type) => type.toLowerCase()),
  );

/** JSON or an HTML form / channel callback form (application/x-www-form-urlencoded). */
export const AcceptsFormBody = () => AcceptsBodyTypes('application/json', FORM_MEDIA_TYPE);

/** Whether the request carries a body at all (as body-parser decides it). */
export function hasRequestBody(request: Pick<Request, 'headers'>): boolean {
  const length = request.headers['content-length'];
  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}

/** `application/json; charset=utf-8` → `application/json`; undefined when absent. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  return type ? type : undefined;
}

/**
 * 415 for a body the route does not read (a create sent as text/plain): the body parsers left it
 * unparsed, so without this the handler would see an empty body, or the signature guard would
 * answer a misleading 401. Registered by PlatformModule ahead of every other guard.
 */
@Injectable()
export class RequestMediaTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (!hasRequestBody(request)) return true;
    const accepted =
      this.reflector.getAllAndOverride<readonly string[] | undefined>(ACCEPTED_BODY_TYPES, [
        context.getHandler(),
        context.getClass(),
      ]) ?? JSON_ONLY;
    const mediaType = mediaTypeOf(request.headers['content-type']);
    if (mediaType !== undefined && accepted.includes(mediaType)) return true;
    throw new AppError(
      'unsupported_media_type_error',
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      `This endpoint takes a body of type ${accepted.join(' or ')}, not ${mediaType ?? 'an unlabelled body'}.`,
      'Content-Type',
    );
  }
}
