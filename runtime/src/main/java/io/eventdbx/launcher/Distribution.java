package io.eventdbx.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The installed distribution: {@code bin/dbx}, {@code lib/} (this launcher and the framework),
 * {@code bundle/} and {@code features/}. Its home is the {@code dbx.home} system property set by
 * {@code bin/dbx}, or else the folder above the launcher jar.
 *
 * @param home the distribution's root folder
 */
record Distribution(Path home) {

    static Distribution locate() {
        String property = System.getProperty("dbx.home");
        if (property != null) {
            return new Distribution(Path.of(property).toAbsolutePath().normalize());
        }
        try {
            Path jar = Path.of(Main.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return new Distribution(jar.getParent().getParent().toAbsolutePath().normalize());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the distribution; set -Ddbx.home", e);
        }
    }

    Path bundleDir() {
        return home.resolve("bundle");
    }

    Path featureDir() {
        return home.resolve("features");
    }

    /** Every feature, sorted by name. */
    List<Feature> features() {
        ObjectMapper mapper = new ObjectMapper();
        List<Feature> features = new ArrayList<>();
        try (Stream<Path> files = Files.list(featureDir())) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                features.add(Feature.read(mapper, file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the feature files in " + featureDir() + ": " + e.getMessage(), e);
        }
        features.sort(Comparator.comparing(Feature::name));
        return features;
    }

    /**
     * The features a run includes: those of its mode, and of API surfaces only the enabled ones.
     *
     * @param mode {@code server} or {@code embedded}
     * @param apis enabled API surfaces
     * @return the selected features
     */
    List<Feature> select(String mode, List<String> apis) {
        return features().stream()
                .filter(feature -> feature.modes().contains(mode))
                .filter(feature -> feature.api() == null || apis.contains(feature.api()))
                .toList();
    }
}
