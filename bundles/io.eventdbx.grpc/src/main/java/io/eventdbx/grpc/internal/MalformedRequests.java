package io.eventdbx.grpc.internal;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;

/**
 * Bytes that are not a valid request message get {@code INVALID_ARGUMENT}. grpc-java answers a request it cannot parse
 * with {@code UNKNOWN: Application error processing RPC}; here each method's request marshaller turns a parse failure
 * into an empty message marked by an unknown field, and an interceptor answers that message with INVALID_ARGUMENT
 * before the service sees it.
 */
final class MalformedRequests {

    /** The largest field number protobuf allows: no message of ours uses it. */
    private static final int MARKER = 536_870_911;

    private MalformedRequests() {}

    /** The service with tolerant request marshallers and the interceptor that refuses what they marked. */
    static ServerServiceDefinition guard(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor =
                ServiceDescriptor.newBuilder(original.getName()).setSchemaDescriptor(original.getSchemaDescriptor());
        java.util.List<ServerMethodDefinition<?, ?>> methods = new java.util.ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            ServerMethodDefinition<?, ?> tolerant = tolerant(method);
            descriptor.addMethod(tolerant.getMethodDescriptor());
            methods.add(tolerant);
        }
        ServerServiceDefinition.Builder rebuilt = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(rebuilt::addMethod);
        return ServerInterceptors.intercept(rebuilt.build(), new Refuser());
    }

    private static <Q, A> ServerMethodDefinition<Q, A> tolerant(ServerMethodDefinition<Q, A> method) {
        MethodDescriptor<Q, A> original = method.getMethodDescriptor();
        MethodDescriptor.Marshaller<Q> parse = original.getRequestMarshaller();
        if (!(parse instanceof MethodDescriptor.PrototypeMarshaller<Q> typed)
                || !(typed.getMessagePrototype() instanceof Message prototype)) {
            return method;
        }
        MethodDescriptor.Marshaller<Q> marshaller = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(Q value) {
                return parse.stream(value);
            }

            @Override
            @SuppressWarnings("unchecked")
            public Q parse(InputStream stream) {
                try {
                    return parse.parse(stream);
                } catch (RuntimeException malformed) {
                    return (Q) prototype.toBuilder()
                            .setUnknownFields(UnknownFieldSet.newBuilder()
                                    .addField(
                                            MARKER,
                                            UnknownFieldSet.Field.newBuilder()
                                                    .addVarint(1)
                                                    .build())
                                    .build())
                            .build();
                }
            }
        };
        return ServerMethodDefinition.create(
                original.toBuilder(marshaller, original.getResponseMarshaller()).build(),
                method.getServerCallHandler());
    }

    private static boolean marked(Object message) {
        return message instanceof Message m && m.getUnknownFields().hasField(MARKER);
    }

    /** Answers a marked message with INVALID_ARGUMENT and keeps the rest of the call from the service. */
    private static final class Refuser implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            ServerCall.Listener<Q> delegate = next.startCall(call, headers);
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
                private boolean refused;

                @Override
                public void onMessage(Q message) {
                    if (refused) {
                        return;
                    }
                    if (marked(message)) {
                        refused = true;
                        call.close(
                                Status.INVALID_ARGUMENT.withDescription("the request is not a valid "
                                        + call.getMethodDescriptor()
                                                .getFullMethodName()
                                                .replaceFirst("/.*", "")
                                        + " message for "
                                        + call.getMethodDescriptor().getBareMethodName()),
                                new Metadata());
                        return;
                    }
                    super.onMessage(message);
                }

                @Override
                public void onHalfClose() {
                    if (!refused) {
                        super.onHalfClose();
                    }
                }

                @Override
                public void onReady() {
                    if (!refused) {
                        super.onReady();
                    }
                }
            };
        }
    }
}
