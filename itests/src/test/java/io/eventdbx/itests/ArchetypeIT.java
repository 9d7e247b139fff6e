package io.eventdbx.itests;

import static io.eventdbx.itests.RestClient.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin author's whole path: generate a project from plugin-archetype (Maven's archetype plugin, in a subprocess),
 * build it with its contract tests, drop the jar into a running server's deploy folder, see its type and options in
 * {@code dbx plugin types}, configure an instance and see events delivered; removing the jar pauses the instance and
 * putting it back delivers what waited.
 */
class ArchetypeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path temp;

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within 90 s");
            Thread.sleep(50); // polling a condition with a deadline
        }
    }

    private static RestConformanceIT.Run mvn(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-ntp", "-q"));
        String repo = System.getProperty("maven.repo.local");
        if (repo != null && !repo.isEmpty()) {
            command.add("-Dmaven.repo.local=" + repo);
        }
        command.addAll(List.of(args));
        RestConformanceIT.Run run = RestConformanceIT.run(dir, Duration.ofMinutes(10), command.toArray(String[]::new));
        assertEquals(0, run.exit(), String.join(" ", args) + ":\n" + run.out());
        return run;
    }

    /** Puts this build's parent, BOM, emitter API and archetype into the local repository (CI runs verify only). */
    private static void installBuiltArtifacts(String version) throws Exception {
        String install = "org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file";
        mvn(ROOT, install, "-Dfile=pom.xml", "-DpomFile=pom.xml");
        mvn(ROOT, install, "-Dfile=bom/pom.xml", "-DpomFile=bom/pom.xml");
        Path api = ROOT.resolve("bundles/io.eventdbx.emitter.api");
        mvn(
                ROOT,
                install,
                "-Dfile=" + api.resolve("target/io.eventdbx.emitter.api-" + version + ".jar"),
                "-DpomFile=" + api.resolve("pom.xml"));
        mvn(
                ROOT,
                install,
                "-Dfile=" + api.resolve("target/io.eventdbx.emitter.api-" + version + "-tests.jar"),
                "-DpomFile=" + api.resolve("pom.xml"),
                "-Dclassifier=tests",
                "-Dpackaging=jar",
                "-DgeneratePom=false");
        Path archetype = ROOT.resolve("plugin-archetype");
        mvn(
                ROOT,
                install,
                "-Dfile=" + archetype.resolve("target/eventdbx-plugin-archetype-" + version + ".jar"),
                "-DpomFile=" + archetype.resolve("pom.xml"));
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String status(Dbx dbx, String name) {
        Dbx.Result list = dbx.run("plugin", "list", "--json");
        try {
            for (JsonNode p : JSON.readTree(list.out())) {
                if (p.path("name").asText().equals(name)) {
                    return p.path("status").asText();
                }
            }
        } catch (IOException e) {
            return "unreadable: " + list;
        }
        return "absent";
    }

    @Test
    void aGeneratedEmitterIsBuiltDeployedConfiguredAndDelivers() throws Exception {
        String version = System.getProperty("eventdbx.version", "0.1.0-SNAPSHOT");
        installBuiltArtifacts(version);
        Path projects = Files.createDirectories(temp.resolve("projects"));
        mvn(
                projects,
                "org.apache.maven.plugins:maven-archetype-plugin:3.4.1:generate",
                "-DarchetypeGroupId=io.eventdbx",
                "-DarchetypeArtifactId=eventdbx-plugin-archetype",
                "-DarchetypeVersion=" + version,
                "-DgroupId=com.example",
                "-DartifactId=jsonl-emitter",
                "-Dversion=1.0.0",
                "-Dpackage=com.example.jsonl",
                "-DemitterType=jsonl");
        Path project = projects.resolve("jsonl-emitter");
        mvn(project, "verify"); // compiles and runs the generated contract test
        Path jar = project.resolve("target/jsonl-emitter-1.0.0.jar");
        assertTrue(Files.isRegularFile(jar), "the bundle was built");

        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
        Path out = temp.resolve("events.jsonl");
        Path deployed = dbx.dataDir.resolve("deploy/jsonl-emitter.jar");
        try {
            assertEquals(0, dbx.run("start").exit());
            Files.createDirectories(deployed.getParent());
            Files.copy(jar, deployed);
            await(() -> dbx.run("plugin", "types").out().contains("jsonl"), "the new type in dbx plugin types");
            Dbx.Result types = dbx.run("plugin", "types", "--json");
            assertTrue(types.out().contains("--path <value> (required)"), types.toString());
            Dbx.Result missing = dbx.run("plugin", "config", "jsonl", "--name", "sink");
            assertEquals(2, missing.exit(), missing.toString());
            assertTrue(missing.err().contains("--path"), missing.toString());
            Dbx.Result config = dbx.run("plugin", "config", "jsonl", "--name", "sink", "--path", out.toString());
            assertEquals(0, config.exit(), config.toString());
            for (int i = 0; i < 5; i++) {
                assertEquals(
                        201,
                        api.append(
                                        admin,
                                        "{\"aggregate_type\":\"order\",\"aggregate_id\":\"o-1\","
                                                + "\"event_type\":\"placed\",\"payload\":{\"n\":" + i + "}}")
                                .status());
            }
            await(() -> lines(out).size() == 5, "5 events delivered by the deployed plugin");
            assertEquals(
                    4,
                    JSON.readTree(lines(out).get(4)).path("payload").path("n").asInt());

            // the bundle goes away: its instance waits, nothing is lost; it comes back: what waited is delivered
            Files.delete(deployed);
            await(() -> status(dbx, "sink").equals("waiting"), "the instance waiting for its type");
            for (int i = 5; i < 8; i++) {
                assertEquals(
                        201,
                        api.append(
                                        admin,
                                        "{\"aggregate_type\":\"order\",\"aggregate_id\":\"o-1\","
                                                + "\"event_type\":\"placed\",\"payload\":{\"n\":" + i + "}}")
                                .status());
            }
            Files.copy(jar, deployed, StandardCopyOption.REPLACE_EXISTING);
            await(() -> lines(out).size() >= 8, "the waiting events after the bundle returned");
            assertEquals(
                    7,
                    JSON.readTree(lines(out).get(lines(out).size() - 1))
                            .path("payload")
                            .path("n")
                            .asInt());
        } finally {
            dbx.run("stop");
        }
    }
}
