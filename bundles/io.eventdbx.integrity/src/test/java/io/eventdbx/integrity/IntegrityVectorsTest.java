package io.eventdbx.integrity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test vectors published in docs/integrity.md hold for this implementation. */
class IntegrityVectorsTest {

    private static final String[] SENT = {
        "{\"name\":\"Jane Doe\",\"status\":\"active\"}",
        "{\"status\":\"inactive\",\"meta\":{\"source\":\"api\"}}",
        "{ \"visits\" : 1.50 }"
    };

    private static Map<String, String> vectors() throws Exception {
        String doc = Files.readString(Path.of("../../docs/integrity.md"));
        int start = doc.indexOf("```vectors\n");
        assertTrue(start >= 0, "docs/integrity.md has a vectors block");
        String block = doc.substring(start + "```vectors\n".length(), doc.indexOf("```", start + 10));
        Map<String, String> vectors = new LinkedHashMap<>();
        for (String line : block.split("\n")) {
            int eq = line.indexOf(" = ");
            vectors.put(line.substring(0, eq), line.substring(eq + 3));
        }
        return vectors;
    }

    @Test
    void documentedVectorsHold() throws Exception {
        Map<String, String> vectors = vectors();
        List<byte[]> hashes = new ArrayList<>();
        MerkleFrontier frontier = MerkleFrontier.empty();
        for (int v = 1; v <= 3; v++) {
            String payload = CanonicalJson.canonicalize(SENT[v - 1]);
            assertEquals(vectors.get("v" + v + ".payload"), payload);
            EventHash event = new EventHash(
                    "patient",
                    "p-001",
                    v,
                    v == 1 ? "patient-added" : "patient-updated",
                    "00000000-0000-4000-8000-00000000000" + v,
                    "2026-01-0" + v + "T10:00:00Z",
                    "admin",
                    "jane",
                    v == 2 ? "checked by phone" : null,
                    v == 3 ? 1L : null,
                    payload);
            if (v == 1) {
                assertEquals(vectors.get("v1.encoding"), Hex.of(event.encode()));
            }
            assertEquals(vectors.get("v" + v + ".hash"), Hex.of(event.hash()));
            hashes.add(event.hash());
            frontier = frontier.append(event.hash());
            assertEquals(vectors.get("v" + v + ".merkle_root"), Hex.of(frontier.root()));
        }
        List<byte[]> inclusion = parseList(vectors.get("inclusion.v2.size3"));
        assertEquals(vectors.get("inclusion.v2.size3"), join(MerkleProofs.inclusionProof(hashes, 1, 3)));
        assertTrue(
                MerkleProofs.verifyInclusion(hashes.get(1), 1, 3, inclusion, Hex.parse(vectors.get("v3.merkle_root"))));
        List<byte[]> consistency = parseList(vectors.get("consistency.2.3"));
        assertEquals(vectors.get("consistency.2.3"), join(MerkleProofs.consistencyProof(hashes, 2, 3)));
        assertTrue(MerkleProofs.verifyConsistency(
                2, 3, Hex.parse(vectors.get("v2.merkle_root")), Hex.parse(vectors.get("v3.merkle_root")), consistency));
    }

    private static List<byte[]> parseList(String csv) {
        return Arrays.stream(csv.split(",")).map(Hex::parse).toList();
    }

    private static String join(List<byte[]> hashes) {
        return String.join(",", hashes.stream().map(Hex::of).toList());
    }
}
