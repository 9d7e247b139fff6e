package io.eventdbx.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {

    @Test
    void linesCarryTheInstantWithMillisecondsAndNothingElseOfTheRequest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("logs/access.log");
        long[] times = {
            0L, 999L, 1_000L, 1_764_680_645_007L, 1_764_680_645_120L, 1_764_680_646_000L, -1L, 253_402_300_799_999L
        };
        try (AccessLog log = new AccessLog(file)) {
            for (int i = 0; i < times.length; i++) {
                log.log(new AccessLog.Entry(times[i], "r" + i, "GET", "/v1/x", 200, 12, "-"));
            }
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(times.length, lines.size());
        for (int i = 0; i < times.length; i++) {
            Instant expected = Instant.ofEpochMilli(times[i]);
            String time = lines.get(i).substring(0, lines.get(i).indexOf(' '));
            assertEquals(expected, Instant.parse(time), lines.get(i));
            assertEquals(24, time.length(), "always milliseconds: " + time);
            assertEquals(time + " r" + i + " GET /v1/x 200 12us -", lines.get(i));
        }
    }
}
