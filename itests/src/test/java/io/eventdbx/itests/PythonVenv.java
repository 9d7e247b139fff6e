package io.eventdbx.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A Python virtual environment under target/ with pinned requirements (PyPI), made once and reused. */
final class PythonVenv {

    private PythonVenv() {}

    /**
     * The environment's folder, created and filled if the probe fails in it.
     *
     * @param name the folder's name under target/
     * @param requirements a requirements file, relative to the itests module
     * @param probe a command run with the environment's bin/ first: exit 0 means it is ready
     * @return the environment's folder
     */
    static Path ensure(String name, String requirements, String... probe) throws IOException, InterruptedException {
        Path venv = Path.of("target", name).toAbsolutePath();
        if (ready(venv, probe)) {
            return venv;
        }
        RestConformanceIT.Run create = RestConformanceIT.run(
                Path.of(".").toAbsolutePath(), Duration.ofMinutes(2), "python3", "-m", "venv", venv.toString());
        assertEquals(0, create.exit(), "python3 -m venv: " + create.out());
        RestConformanceIT.Run install = RestConformanceIT.run(
                Path.of(".").toAbsolutePath(),
                Duration.ofMinutes(10),
                venv.resolve("bin/pip").toString(),
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                Path.of(requirements).toAbsolutePath().toString());
        assertEquals(0, install.exit(), "pip install -r " + requirements + ": " + install.out());
        return venv;
    }

    private static boolean ready(Path venv, String... probe) throws IOException, InterruptedException {
        if (!Files.isExecutable(venv.resolve("bin/pip"))) {
            return false;
        }
        String[] command = probe.clone();
        command[0] = venv.resolve("bin").resolve(probe[0]).toString();
        if (!Files.isExecutable(Path.of(command[0]))) {
            return false;
        }
        return RestConformanceIT.run(Path.of(".").toAbsolutePath(), Duration.ofMinutes(1), command)
                        .exit()
                == 0;
    }
}
