package dev.pidlock.buildchecks;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExportsTree;
import com.sun.source.tree.ModuleTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The sources of the whole reactor, read from the checkout: the root pom's modules, their module
 * descriptors and their Java files, parsed (not compiled) by javac, with their doc comments. The build
 * checks look at every module through it, so that a module added later is checked too.
 */
final class ReactorSources {

    /** A file parsed by javac, and the doc comments of its trees. */
    record Parsed(Path file, CompilationUnitTree unit, DocTrees docs) {
    }

    private ReactorSources() {
    }

    /** @return the reactor's root: the nearest folder above the working directory whose pom is pidlock-parent */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && "pidlock-parent".equals(child(pom(pom), "artifactId"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no pidlock-parent pom above " + Path.of("").toAbsolutePath());
    }

    /** @return the module folders the root pom lists, in its order */
    static List<Path> modules() {
        Path root = root();
        return texts(element(pom(root.resolve("pom.xml")), "modules"), "module").stream()
                .map(root::resolve).collect(Collectors.toList());
    }

    /**
     * @param module a module folder
     * @return the packages its {@code module-info.java} exports to everyone (none when it has no descriptor);
     *         qualified exports are not API
     */
    static List<String> exportedPackages(Path module) {
        Path descriptor = module.resolve("src/main/java/module-info.java");
        if (!Files.isRegularFile(descriptor)) {
            return List.of();
        }
        ModuleTree tree = parse(List.of(descriptor)).get(0).unit().getModule();
        List<String> out = new ArrayList<>();
        tree.getDirectives().stream().filter(d -> d instanceof ExportsTree).map(d -> (ExportsTree) d)
                .filter(e -> e.getModuleNames() == null || e.getModuleNames().isEmpty())
                .forEach(e -> out.add(e.getPackageName().toString()));
        return out;
    }

    /**
     * @return the reactor's published modules: those whose pom does not set {@code maven.deploy.skip} (the bench,
     *         the example backend, the consumer smoke test and these checks are not published)
     */
    static List<Path> publishedModules() {
        return modules().stream().filter(m -> {
            Element properties = element(pom(m.resolve("pom.xml")), "properties");
            return properties == null || !"true".equals(child(properties, "maven.deploy.skip"));
        }).collect(Collectors.toList());
    }

    /** @return every package the published modules export to everyone, with the folder of its sources */
    static Map<String, Path> exportedPackageFolders() {
        Map<String, Path> out = new TreeMap<>();
        for (Path module : publishedModules()) {
            for (String pkg : exportedPackages(module)) {
                out.put(pkg, module.resolve("src/main/java").resolve(pkg.replace('.', '/')));
            }
        }
        return out;
    }

    /**
     * @param dir  a folder
     * @param glob which file names to take, such as {@code *.java}
     * @return the matching regular files under {@code dir}, at any depth, sorted; none when it does not exist
     */
    static List<Path> files(Path dir, String glob) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        var matcher = dir.getFileSystem().getPathMatcher("glob:" + glob);
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(p -> matcher.matches(p.getFileName())).sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses Java files without compiling them: enough for declarations, modifiers and doc comments.
     *
     * @param files the files, of one module
     * @return each parsed file, in order
     */
    static List<Parsed> parse(List<Path> files) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no system Java compiler: the documentation checks need a JDK");
        }
        StandardJavaFileManager fileManager = javac.getStandardFileManager(null, null, null);
        JavacTask task = (JavacTask) javac.getTask(null, fileManager, null, List.of("-proc:none"), null,
                fileManager.getJavaFileObjectsFromPaths(files));
        DocTrees docs = DocTrees.instance(task);
        List<Parsed> out = new ArrayList<>();
        try {
            for (CompilationUnitTree unit : task.parse()) {
                out.add(new Parsed(Path.of(unit.getSourceFile().toUri()), unit, docs));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** @return the text of a file, whitespace runs made one space */
    static String normalised(String text) {
        return text.replaceAll("\\s+", " ").trim();
    }

    static Element pom(Path pom) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(false);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = factory.newDocumentBuilder().parse(pom.toFile());
            return doc.getDocumentElement();
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException(pom + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the child element of {@code parent} named {@code name}, or null */
    static Element element(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element && ((Element) n).getTagName().equals(name)) {
                return (Element) n;
            }
        }
        return null;
    }

    /** @return the trimmed text of the child element of {@code parent} named {@code name}, or null */
    static String child(Element parent, String name) {
        Element e = element(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    /** @return the child elements of {@code parent} named {@code name}; none when {@code parent} is null */
    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent != null) {
            for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element && ((Element) n).getTagName().equals(name)) {
                    out.add((Element) n);
                }
            }
        }
        return out;
    }

    /** @return the texts of the child elements of {@code parent} named {@code name} */
    static List<String> texts(Element parent, String name) {
        return children(parent, name).stream().map(e -> e.getTextContent().trim()).collect(Collectors.toList());
    }
}
