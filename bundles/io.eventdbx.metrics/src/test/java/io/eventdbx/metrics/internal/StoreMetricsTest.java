package io.eventdbx.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreMetricsTest {

    @TempDir
    Path dataDir;

    private static long responseSeries(String scrape) {
        return scrape.lines()
                .filter(line -> line.startsWith("eventdbx_http_responses_total{"))
                .count();
    }

    @Test
    void requestMethodsChosenByAPeerDoNotAddSeries() {
        StoreMetrics metrics = new StoreMetrics(Map.of("data_dir", dataDir.toString()));
        for (int i = 0; i < 500; i++) {
            metrics.responded("M" + i, 405);
        }
        metrics.responded("GET", 200);
        metrics.responded("get", 200); // methods are case-sensitive: not GET
        String scrape = new String(metrics.scrape(), StandardCharsets.UTF_8);
        // GET 200, OTHER 405 (500 of them), OTHER 200
        assertEquals(3, responseSeries(scrape), scrape);
        assertTrue(
                scrape.lines()
                        .anyMatch(l ->
                                l.contains("method=\"OTHER\"") && l.contains("status=\"405\"") && l.endsWith(" 500.0")),
                scrape);
    }
}
