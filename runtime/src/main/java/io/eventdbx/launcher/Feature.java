package io.eventdbx.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One feature file ({@code features/*.json}): a named set of bundles with start orders, and the run modes it
 * belongs to. The format is a subset of OSGi Feature JSON (R8) plus two EventDBX keys: {@code eventdbx:modes}
 * ({@code server}, {@code embedded}) and {@code eventdbx:api} (the API surface the feature serves, if any).
 *
 * @param name the feature name
 * @param description what it adds
 * @param modes the run modes that include it
 * @param api the API surface it serves, or null
 * @param bundles its bundles
 */
record Feature(String name, String description, Set<String> modes, String api, List<BundleRef> bundles) {

    /**
     * A bundle of a feature.
     *
     * @param groupId Maven group
     * @param artifactId Maven artifact, also the jar's name prefix in {@code bundle/}
     * @param version Maven version
     * @param startOrder lower starts first
     */
    record BundleRef(String groupId, String artifactId, String version, int startOrder) {

        /** The jar's file name in the distribution's bundle folder. */
        String fileName() {
            return artifactId + "-" + version + ".jar";
        }
    }

    static Feature read(ObjectMapper mapper, Path file) throws IOException {
        JsonNode root = mapper.readTree(file.toFile());
        String name = text(root, "name", file);
        Set<String> modes = new TreeSet<>();
        root.path("eventdbx:modes").forEach(mode -> modes.add(mode.asText()));
        if (modes.isEmpty()) {
            throw new IOException(file + ": eventdbx:modes is missing");
        }
        List<BundleRef> bundles = new ArrayList<>();
        for (JsonNode bundle : root.path("bundles")) {
            String[] gav = text(bundle, "id", file).split(":");
            if (gav.length != 3) {
                throw new IOException(
                        file + ": bundle id '" + bundle.path("id").asText() + "' is not groupId:artifactId:version");
            }
            bundles.add(new BundleRef(
                    gav[0], gav[1], gav[2], bundle.path("start-order").asInt(10)));
        }
        String api = root.hasNonNull("eventdbx:api") ? root.get("eventdbx:api").asText() : null;
        return new Feature(name, root.path("description").asText(""), modes, api, bundles);
    }

    private static String text(JsonNode node, String field, Path file) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IOException(file + ": '" + field + "' is missing");
        }
        return value.asText();
    }
}
