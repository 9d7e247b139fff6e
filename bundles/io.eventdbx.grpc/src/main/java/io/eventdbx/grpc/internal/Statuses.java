package io.eventdbx.grpc.internal;

import io.eventdbx.access.api.Refusal;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.EnumMap;
import java.util.Map;

/**
 * The gRPC status of each refusal of the door: the one table this surface has. The refusal's stable code travels in the
 * trailer {@code eventdbx-code} and each of its details (field, rule, versions …) in {@code eventdbx-<detail>}, so a
 * client never parses the message.
 */
final class Statuses {

    static final Metadata.Key<String> CODE = Metadata.Key.of("eventdbx-code", Metadata.ASCII_STRING_MARSHALLER);

    static final Map<Refusal.Code, Status.Code> STATUS = statuses();

    private Statuses() {}

    private static Map<Refusal.Code, Status.Code> statuses() {
        Map<Refusal.Code, Status.Code> status = new EnumMap<>(Refusal.Code.class);
        status.put(Refusal.Code.INVALID_ARGUMENT, Status.Code.INVALID_ARGUMENT);
        status.put(Refusal.Code.UNAUTHENTICATED, Status.Code.UNAUTHENTICATED);
        status.put(Refusal.Code.FORBIDDEN, Status.Code.PERMISSION_DENIED);
        status.put(Refusal.Code.WRITE_LIMIT_REACHED, Status.Code.RESOURCE_EXHAUSTED);
        status.put(Refusal.Code.NOT_FOUND, Status.Code.NOT_FOUND);
        status.put(Refusal.Code.CONFLICT, Status.Code.FAILED_PRECONDITION);
        status.put(Refusal.Code.NOT_EMPTY, Status.Code.FAILED_PRECONDITION);
        status.put(Refusal.Code.ARCHIVED, Status.Code.FAILED_PRECONDITION);
        status.put(Refusal.Code.SCHEMA_VIOLATION, Status.Code.INVALID_ARGUMENT);
        status.put(Refusal.Code.PAYLOAD_TOO_LARGE, Status.Code.RESOURCE_EXHAUSTED);
        status.put(Refusal.Code.INTEGRITY, Status.Code.DATA_LOSS);
        status.put(Refusal.Code.UNAVAILABLE, Status.Code.UNAVAILABLE);
        return Map.copyOf(status);
    }

    /** The status exception a refusal is answered with. */
    static StatusRuntimeException of(Refusal refusal) {
        Metadata trailers = new Metadata();
        trailers.put(CODE, refusal.code().name());
        refusal.details().forEach((key, value) -> {
            String name = "eventdbx-" + key.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_.-]", "_");
            trailers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), ascii(value));
        });
        return Status.fromCode(STATUS.get(refusal.code()))
                .withDescription(refusal.getMessage())
                .asRuntimeException(trailers);
    }

    /** Metadata values are printable ASCII: anything else is written as a \\uXXXX escape. */
    static String ascii(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }
}
