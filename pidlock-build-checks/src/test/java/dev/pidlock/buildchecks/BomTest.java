package dev.pidlock.buildchecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * pidlock-bom lists every published module of the reactor at the project version, inherits nothing, and the
 * README imports it at that version. Published: every module of the root pom but the BOM itself, unless its
 * pom sets {@code maven.deploy.skip} to {@code true} (the bench and these
 * checks do).
 */
class BomTest {

    private static final Path ROOT = ReactorSources.root();
    private static final Element PARENT = ReactorSources.pom(ROOT.resolve("pom.xml"));
    private static final Element BOM = ReactorSources.pom(ROOT.resolve("pidlock-bom/pom.xml"));

    private static Set<String> publishedModules() {
        Set<String> out = new TreeSet<>();
        for (Path module : ReactorSources.modules()) {
            Element pom = ReactorSources.pom(module.resolve("pom.xml"));
            String artifactId = ReactorSources.child(pom, "artifactId");
            boolean skipsDeploy = "true".equals(
                    ReactorSources.child(ReactorSources.element(pom, "properties"), "maven.deploy.skip"));
            if (!artifactId.equals("pidlock-bom") && !skipsDeploy) {
                out.add(artifactId);
            }
        }
        return out;
    }

    @Test
    void theReactorBuildsTheBomAndPublishesTheLibrariesTheTestkitAndTheCommandButNotTheBench() {
        assertTrue(ReactorSources.texts(ReactorSources.element(PARENT, "modules"), "module").contains("pidlock-bom"));
        assertEquals(Set.of("pidlock-api", "pidlock-nio", "pidlock-fcntl-jna", "pidlock-lockf", "pidlock-etcd",
                "pidlock-daemon", "pidlock-testkit", "pidlock-cli"), publishedModules());
    }

    @Test
    void theBomInheritsNothingAndHasTheProjectsCoordinates() {
        assertNull(ReactorSources.element(BOM, "parent"), "pidlock-bom must not have a parent");
        assertEquals("dev.pidlock", ReactorSources.child(BOM, "groupId"));
        assertEquals("pidlock-bom", ReactorSources.child(BOM, "artifactId"));
        assertEquals("pom", ReactorSources.child(BOM, "packaging"));
        assertEquals(ReactorSources.child(PARENT, "version"), ReactorSources.child(BOM, "version"),
                "pidlock-bom's version must follow the root pom's");
        assertNull(ReactorSources.element(BOM, "dependencies"), "a BOM manages versions and depends on nothing");
    }

    @Test
    void theBomListsEveryPublishedModuleAtTheProjectVersion() {
        List<String> problems = new ArrayList<>();
        Set<String> listed = new TreeSet<>();
        for (Element dependency : ReactorSources.children(
                ReactorSources.element(ReactorSources.element(BOM, "dependencyManagement"), "dependencies"),
                "dependency")) {
            String artifactId = ReactorSources.child(dependency, "artifactId");
            if (!listed.add(artifactId)) {
                problems.add(artifactId + " is listed twice");
            }
            if (!"dev.pidlock".equals(ReactorSources.child(dependency, "groupId"))) {
                problems.add(artifactId + ": groupId " + ReactorSources.child(dependency, "groupId"));
            }
            if (!"${project.version}".equals(ReactorSources.child(dependency, "version"))) {
                problems.add(artifactId + ": version " + ReactorSources.child(dependency, "version")
                        + " instead of ${project.version}");
            }
            if (ReactorSources.element(dependency, "scope") != null
                    || ReactorSources.element(dependency, "type") != null) {
                problems.add(artifactId + ": a scope or type would be forced on every importer");
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(publishedModules(), listed, "pidlock-bom against the reactor's published modules");
    }

    @Test
    void theReadmeImportsTheBomAtTheProjectVersion() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher m = Pattern.compile("<artifactId>pidlock-bom</artifactId>\\s*<version>([^<]+)</version>\\s*"
                + "<type>pom</type>\\s*<scope>import</scope>").matcher(readme);
        assertTrue(m.find(), "README.md: no import of pidlock-bom");
        assertEquals(ReactorSources.child(PARENT, "version"), m.group(1), "README.md: the BOM's version");
    }
}
