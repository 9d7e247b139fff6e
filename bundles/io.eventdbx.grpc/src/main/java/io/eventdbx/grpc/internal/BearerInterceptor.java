package io.eventdbx.grpc.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Carries a call's {@code authorization} metadata to the service in the call's {@link Context}; the service hands it to
 * the door ({@code EventAccess.authenticateBearer}), which decides. Nothing is checked here.
 */
final class BearerInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    static final Context.Key<String> HEADER = Context.key("dbx-authorization");

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        Context context = Context.current().withValue(HEADER, headers.get(AUTHORIZATION));
        return Contexts.interceptCall(context, call, headers, next);
    }
}
