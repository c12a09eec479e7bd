import type { TRPCDefaultErrorShape, TRPCError, TRPCErrorFormatter } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { ErrorShaper } from './stream-settings.ts';

/**
 * Shapes errors as tRPC's default shape (code, message, data.code, data.httpStatus, data.path), then applies
 * `formatter`, as tRPC does for every error it sends; streams are shaped with no context and no stack.
 */
export function errorShaper<TContext>(formatter: TRPCErrorFormatter<TContext, TRPCDefaultErrorShape>): ErrorShaper {
  return (error: TRPCError, path: string, input: unknown) => {
    const shape: TRPCDefaultErrorShape = {
      message: error.message,
      code: TRPC_ERROR_CODES_BY_KEY[error.code],
      data: { code: error.code, httpStatus: getHTTPStatusCodeFromError(error), path },
    };
    return formatter({ error, type: 'subscription', path, input, ctx: undefined, shape });
  };
}
