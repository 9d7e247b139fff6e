package io.eventdbx.command.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenArgumentTest {

    @Test
    void takesBothFormsAnywhereAfterTheStartAndLeavesTheRest() {
        List<String> args =
                new ArrayList<>(List.of("aggregate", "get", "--token", "t1", "patient", "--token=t2", "p-1"));
        assertEquals("t2", TokenArgument.take(args, 1));
        assertEquals(List.of("aggregate", "get", "patient", "p-1"), args);
        List<String> none = new ArrayList<>(List.of("list", "--json"));
        assertNull(TokenArgument.take(none, 0));
        assertEquals(List.of("list", "--json"), none);
        List<String> dangling = new ArrayList<>(List.of("get", "--token"));
        assertNull(TokenArgument.take(dangling, 0), "a --token without a value is left for the parser to report");
        assertEquals(List.of("get", "--token"), dangling);
    }
}
