package io.eventdbx.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/** An npm package of the itests (a folder with package.json, its lock file and scripts), installed under target/. */
final class NpmPackage {

    private NpmPackage() {}

    /**
     * Copies the package's files to {@code target/<folder>} and runs {@code npm ci} there once per build.
     *
     * @param folder the package's folder in the itests module
     * @param files its files to copy (besides the lock file, which {@code npm ci} installs from)
     * @param installed a folder under node_modules that exists once installed
     * @return the installed package's folder
     */
    static Path install(String folder, List<String> files, String installed) throws Exception {
        Path source = Path.of(folder).toAbsolutePath();
        Path target = Path.of("target", folder).toAbsolutePath();
        Files.createDirectories(target);
        for (String file : files) {
            Files.copy(source.resolve(file), target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(target.resolve("node_modules").resolve(installed))) {
            RestConformanceIT.Run install =
                    RestConformanceIT.run(target, Duration.ofMinutes(5), "npm", "ci", "--no-audit", "--no-fund");
            assertEquals(0, install.exit(), "npm ci in " + folder + ": " + install.out());
        }
        return target;
    }
}
