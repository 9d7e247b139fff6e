package io.eventdbx.itests;

import static io.eventdbx.itests.RestClient.expect;
import static io.eventdbx.itests.RestClient.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.itests.RestConformanceIT.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A contract fuzzer, Schemathesis (PyPI), against the live server and the OpenAPI document it serves: every
 * operation with generated valid and invalid input, checking that no answer is a server error, has a status the
 * document does not list, or breaks its documented schema or content type.
 *
 * <p>One check is left out: {@code positive_data_acceptance} expects every schema-valid request to succeed, but some
 * refusals depend on state or on two fields together, which a schema cannot say (a proof of a version beyond the
 * tree size, an event_id that differs from the Idempotency-Key header, a cursor that names no position).
 */
class ContractFuzzIT {

    @TempDir
    Path temp;

    @Test
    void theServerIsWhatItsOpenApiDocumentSays() throws Exception {
        Path schemathesis = install();
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
        assertEquals(0, dbx.run("start").exit());
        try {
            // something for the generated requests to find: aggregates named like the generator's first guesses
            for (String id : new String[] {"0", "a", "p-1"}) {
                for (int v = 0; v < 3; v++) {
                    expect(
                            201,
                            null,
                            api.append(
                                    admin,
                                    "{\"aggregate_type\":\"0\",\"aggregate_id\":\"" + id
                                            + "\",\"event_type\":\"seen\",\"payload\":{\"v\":" + v + "}}"));
                }
            }
            assertEquals(0, dbx.run("schema", "create", "0", "--events", "seen").exit());
            Path document = temp.resolve("openapi.json");
            Files.writeString(
                    document, expect(200, null, api.get("/openapi.json", admin)).raw());
            Run run = RestConformanceIT.run(
                    temp,
                    Duration.ofMinutes(10),
                    schemathesis.toString(),
                    "run",
                    document.toString(),
                    "--url",
                    api.base,
                    "--header",
                    "Authorization: Bearer " + admin,
                    "--checks",
                    "all",
                    "--exclude-checks",
                    "positive_data_acceptance",
                    "--workers",
                    "1",
                    "--max-examples",
                    "40",
                    "--phases",
                    "examples,coverage,fuzzing",
                    "--seed",
                    "20261202",
                    "--generation-database",
                    "none",
                    "--no-color");
            System.out.println(run.out());
            assertEquals(0, run.exit(), run.out());
            assertTrue(run.out().contains(" passed"), run.out());
        } finally {
            dbx.run("stop");
        }
    }

    /**
     * The GraphQL API fuzzed from its introspection: every query and mutation with generated arguments (the hooks
     * give the {@code JSON} scalar a strategy and replace Schemathesis's resolver-error check, which takes every
     * refusal for a server failure, with a stricter one: no 5xx, every error coded, no internals). Afterwards every
     * aggregate still verifies: no refused or malformed request wrote half an event.
     */
    @Test
    void theGraphqlApiAnswersGeneratedQueriesWithoutAServerError() throws Exception {
        Path schemathesis = install();
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
        assertEquals(0, dbx.run("start").exit());
        try {
            for (String id : new String[] {"0", "a", "p-1"}) {
                expect(
                        201,
                        null,
                        api.append(
                                admin,
                                "{\"aggregate_type\":\"0\",\"aggregate_id\":\"" + id
                                        + "\",\"event_type\":\"seen\",\"payload\":{\"v\":1}}"));
            }
            ProcessBuilder command = new ProcessBuilder(
                            schemathesis.toString(),
                            "run",
                            api.base + "/graphql",
                            "--header",
                            "Authorization: Bearer " + admin,
                            "--checks",
                            "refusals_are_clear",
                            "--workers",
                            "1",
                            "--max-examples",
                            "60",
                            "--seed",
                            "20261202",
                            "--generation-database",
                            "none",
                            "--no-color")
                    .directory(temp.toFile())
                    .redirectErrorStream(true);
            command.environment()
                    .put("PYTHONPATH", Path.of("schemathesis").toAbsolutePath().toString());
            command.environment().put("SCHEMATHESIS_HOOKS", "graphql_hooks");
            Process process = command.start();
            var output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(process.waitFor(10, java.util.concurrent.TimeUnit.MINUTES), "schemathesis did not finish");
            String out = output.join();
            System.out.println(out);
            assertEquals(0, process.exitValue(), out);
            assertTrue(out.contains(" passed") && out.contains("Mutation.appendEvent"), out);
            // nothing half-written: every aggregate there is still verifies
            var listed = expect(200, null, api.get("/v1/aggregates?take=1000", admin))
                    .body()
                    .path("items");
            assertTrue(listed.size() >= 3, listed.toString());
            for (var aggregate : listed) {
                String path = "/v1/aggregates/"
                        + java.net.URLEncoder.encode(
                                aggregate.path("aggregate_type").asText(), java.nio.charset.StandardCharsets.UTF_8)
                        + "/"
                        + java.net.URLEncoder.encode(
                                aggregate.path("aggregate_id").asText(), java.nio.charset.StandardCharsets.UTF_8)
                        + "/verify";
                assertTrue(
                        expect(200, null, api.get(path, admin))
                                .body()
                                .path("ok")
                                .asBoolean(),
                        path);
            }
        } finally {
            dbx.run("stop");
        }
    }

    /** Schemathesis in a virtual environment under target/, pinned by itests/schemathesis/requirements.txt. */
    private static Path install() throws IOException, InterruptedException {
        return PythonVenv.ensure("schemathesis-venv", "schemathesis/requirements.txt", "schemathesis", "--version")
                .resolve("bin/schemathesis");
    }
}
