package io.eventdbx.grpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.eventdbx.access.api.Refusal;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusesTest {

    @Test
    void everyRefusalCodeHasAStatusAndTravelsWithItsDetails() {
        for (Refusal.Code code : Refusal.Code.values()) {
            assertNotNull(Statuses.STATUS.get(code), code.name());
        }
        StatusRuntimeException e = Statuses.of(new Refusal(
                Refusal.Code.SCHEMA_VIOLATION,
                "field ward breaks its rule",
                Map.of("field", "ward", "Rule", "länge"),
                null));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("field ward breaks its rule", e.getStatus().getDescription());
        Metadata trailers = e.getTrailers();
        assertEquals("SCHEMA_VIOLATION", trailers.get(Statuses.CODE));
        assertEquals("ward", trailers.get(Metadata.Key.of("eventdbx-field", Metadata.ASCII_STRING_MARSHALLER)));
        assertEquals("l\\u00e4nge", trailers.get(Metadata.Key.of("eventdbx-rule", Metadata.ASCII_STRING_MARSHALLER)));
    }

    @Test
    void versionConflictsAndLimitsHaveTheirConventionalStatuses() {
        assertEquals(Status.Code.FAILED_PRECONDITION, Statuses.STATUS.get(Refusal.Code.CONFLICT));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, Statuses.STATUS.get(Refusal.Code.WRITE_LIMIT_REACHED));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, Statuses.STATUS.get(Refusal.Code.PAYLOAD_TOO_LARGE));
        assertEquals(Status.Code.PERMISSION_DENIED, Statuses.STATUS.get(Refusal.Code.FORBIDDEN));
        assertEquals(Status.Code.UNAUTHENTICATED, Statuses.STATUS.get(Refusal.Code.UNAUTHENTICATED));
    }
}
