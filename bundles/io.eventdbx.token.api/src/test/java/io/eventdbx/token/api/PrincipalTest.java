package io.eventdbx.token.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrincipalTest {

    @Test
    void globsMatchStarsAndQuestionMarks() {
        assertTrue(Principal.matches("*", "aggregate:patient:p-1"));
        assertTrue(Principal.matches("aggregate:patient:*", "aggregate:patient:p-1"));
        assertTrue(Principal.matches("aggregate:*:p-?", "aggregate:order:p-7"));
        assertTrue(Principal.matches("a*b*c", "aXXbYYc"));
        assertFalse(Principal.matches("aggregate:patient:p-?", "aggregate:patient:p-10"));
        assertFalse(Principal.matches("aggregate:patient:*", "aggregate:patients:p-1"));
        assertFalse(Principal.matches("aggregate:patient:p-1", "aggregate:patient:p-1x"));
        assertTrue(Principal.matches("", ""));
        assertFalse(Principal.matches("", "x"));
    }

    @Test
    void anAuditorSeesItsAggregatesAndNothingElse() {
        Principal auditor = new Principal(
                "auditors",
                "ann",
                "t1",
                Set.of(Actions.AGGREGATE_READ),
                List.of("aggregate:patient:p-1", "aggregate:patient:p-2"));
        assertTrue(auditor.allows(Actions.AGGREGATE_READ, "aggregate:patient:p-1"));
        assertFalse(auditor.allows(Actions.AGGREGATE_READ, "aggregate:patient:p-3"));
        assertFalse(auditor.allows(Actions.AGGREGATE_APPEND, "aggregate:patient:p-1"));
        assertFalse(auditor.allows(Actions.TOKEN_MANAGE, null));
        assertTrue(Principal.administrator("root").allows(Actions.TOKEN_MANAGE, null));
        assertTrue(Principal.administrator("root").allows(Actions.AGGREGATE_APPEND, "aggregate:x:y"));
    }
}
