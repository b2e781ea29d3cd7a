package dev.pidlock.buildchecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.doctree.DocCommentTree;
import com.sun.source.doctree.DocTree;
import com.sun.source.doctree.LinkTree;
import com.sun.source.doctree.SinceTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;
import org.junit.jupiter.api.Test;

/**
 * The javadoc of every package the reactor exports to everyone: a {@code package-info.java} whose first
 * sentence links the package's entry point, and {@code @since} on every public or protected type and member.
 * Read from the sources of every module, so a module or an export added later is held to the same rules.
 */
class ApiDocumentationTest {

    @Test
    void theExportedPackagesAreFoundInEveryModule() {
        Map<String, Path> exported = ReactorSources.exportedPackageFolders();
        assertTrue(exported.keySet().containsAll(Set.of("dev.pidlock", "dev.pidlock.spi", "dev.pidlock.testkit")),
                exported.toString());
        exported.forEach((pkg, dir) -> assertTrue(Files.isDirectory(dir), pkg + ": no folder " + dir));
    }

    @Test
    void everyExportedPackageHasAPackageInfoWhoseFirstSentenceLinksItsEntryPoint() {
        List<String> problems = new ArrayList<>();
        ReactorSources.exportedPackageFolders().forEach((pkg, dir) -> {
            Path info = dir.resolve("package-info.java");
            if (!Files.isRegularFile(info)) {
                problems.add(pkg + ": no package-info.java");
                return;
            }
            ReactorSources.Parsed parsed = ReactorSources.parse(List.of(info)).get(0);
            DocCommentTree doc = parsed.docs().getDocCommentTree(
                    new TreePath(new TreePath(parsed.unit()), parsed.unit().getPackage()));
            if (doc == null) {
                problems.add(pkg + ": package-info.java has no doc comment");
                return;
            }
            Set<String> publicTypes = publicTopLevelTypes(dir);
            List<String> linked = doc.getFirstSentence().stream()
                    .filter(t -> t.getKind() == DocTree.Kind.LINK || t.getKind() == DocTree.Kind.LINK_PLAIN)
                    .map(t -> ((LinkTree) t).getReference().getSignature())
                    .collect(Collectors.toList());
            boolean namesEntryPoint = linked.stream().anyMatch(signature -> {
                String type = signature.contains("#") ? signature.substring(0, signature.indexOf('#')) : signature;
                int dot = type.lastIndexOf('.');
                boolean inPackage = dot < 0 || type.substring(0, dot).equals(pkg);
                return inPackage && publicTypes.contains(type.substring(dot + 1));
            });
            if (!namesEntryPoint) {
                problems.add(pkg + ": the first sentence links no public type of the package: \""
                        + doc.getFirstSentence() + "\" (links " + linked + ", types " + publicTypes + ")");
            }
            if (since(doc) == null) {
                problems.add(pkg + ": package-info.java has no @since");
            }
        });
        assertEquals(List.of(), problems);
    }

    @Test
    void everyPublicOrProtectedTypeAndMemberOfAnExportedPackageCarriesSince() {
        List<String> missing = new ArrayList<>();
        int[] checked = {0};
        ReactorSources.exportedPackageFolders().forEach((pkg, dir) -> {
            for (ReactorSources.Parsed parsed : ReactorSources.parse(javaFilesOf(dir))) {
                new ApiDeclarations(parsed, (what, doc) -> {
                    checked[0]++;
                    if (since(doc) == null) {
                        missing.add(pkg + ": " + what + (doc == null ? " (no doc comment)" : ""));
                    }
                }).scan(parsed.unit(), null);
            }
        });
        assertTrue(checked[0] > 200, "only " + checked[0] + " declarations found: is the scan blind?");
        assertEquals(List.of(), missing, missing.size() + " public or protected declarations without @since");
    }

    /** @return the version of a doc comment's {@code @since}, or null when it has none or an empty one */
    private static String since(DocCommentTree doc) {
        if (doc == null) {
            return null;
        }
        return doc.getBlockTags().stream().filter(t -> t.getKind() == DocTree.Kind.SINCE)
                .map(t -> ((SinceTree) t).getBody().stream().map(DocTree::toString).collect(Collectors.joining()).trim())
                .filter(version -> !version.isEmpty())
                .findFirst().orElse(null);
    }

    /** The package's own Java files, not those of sub-packages. */
    private static List<Path> javaFilesOf(Path dir) {
        return ReactorSources.files(dir, "*.java").stream().filter(p -> p.getParent().equals(dir))
                .filter(p -> !p.getFileName().toString().equals("package-info.java")).collect(Collectors.toList());
    }

    private static Set<String> publicTopLevelTypes(Path dir) {
        return ReactorSources.parse(javaFilesOf(dir)).stream()
                .flatMap(p -> p.unit().getTypeDecls().stream())
                .filter(t -> t instanceof ClassTree)
                .map(t -> (ClassTree) t)
                .filter(c -> c.getModifiers().getFlags().contains(Modifier.PUBLIC))
                .map(c -> c.getSimpleName().toString())
                .collect(Collectors.toSet());
    }

    /** Receives each API declaration: a description and its doc comment (null when it has none). */
    interface Visitor {
        void declaration(String what, DocCommentTree doc);
    }

    /**
     * Walks a file's API: public top-level types; in an API type, its public and protected members (every
     * member not private in an interface or annotation) and its enum constants; nested API types likewise.
     * Record components are documented by the record's {@code @param} tags and carry its {@code @since}.
     */
    static final class ApiDeclarations extends TreePathScanner<Void, Boolean> {
        private final ReactorSources.Parsed parsed;
        private final Visitor visitor;

        ApiDeclarations(ReactorSources.Parsed parsed, Visitor visitor) {
            this.parsed = parsed;
            this.visitor = visitor;
        }

        private static boolean isApi(ModifiersTree modifiers, Tree owner) {
            Set<Modifier> flags = modifiers.getFlags();
            boolean implicitlyPublic = owner instanceof ClassTree
                    && (owner.getKind() == Tree.Kind.INTERFACE || owner.getKind() == Tree.Kind.ANNOTATION_TYPE)
                    && !flags.contains(Modifier.PRIVATE);
            return flags.contains(Modifier.PUBLIC) || flags.contains(Modifier.PROTECTED) || implicitlyPublic;
        }

        private void report(String what) {
            long start = parsed.docs().getSourcePositions().getStartPosition(parsed.unit(), getCurrentPath().getLeaf());
            visitor.declaration(what + " (" + parsed.file().getFileName() + ":"
                    + parsed.unit().getLineMap().getLineNumber(start) + ")",
                    parsed.docs().getDocCommentTree(getCurrentPath()));
        }

        private String owner() {
            StringBuilder name = new StringBuilder();
            for (TreePath p = getCurrentPath().getParentPath(); p != null; p = p.getParentPath()) {
                if (p.getLeaf() instanceof ClassTree) {
                    name.insert(0, name.length() == 0 ? "" : ".").insert(0, ((ClassTree) p.getLeaf()).getSimpleName());
                }
            }
            return name.toString();
        }

        /** {@code ownerIsApi}: null at the top level, else whether the enclosing type is API. */
        @Override
        public Void visitClass(ClassTree type, Boolean ownerIsApi) {
            Tree owner = getCurrentPath().getParentPath().getLeaf();
            boolean api = ownerIsApi == null
                    ? type.getModifiers().getFlags().contains(Modifier.PUBLIC)
                    : ownerIsApi && isApi(type.getModifiers(), owner);
            if (api) {
                String prefix = owner();
                report("type " + (prefix.isEmpty() ? "" : prefix + ".") + type.getSimpleName());
            }
            return super.visitClass(type, api);
        }

        @Override
        public Void visitMethod(MethodTree method, Boolean ownerIsApi) {
            Tree owner = getCurrentPath().getParentPath().getLeaf();
            if (Boolean.TRUE.equals(ownerIsApi) && isApi(method.getModifiers(), owner)) {
                String name = method.getName().contentEquals("<init>") ? "constructor" : "method " + method.getName();
                report(owner() + " " + name);
            }
            return null;
        }

        @Override
        public Void visitVariable(VariableTree field, Boolean ownerIsApi) {
            Tree owner = getCurrentPath().getParentPath().getLeaf();
            if (Boolean.TRUE.equals(ownerIsApi) && owner instanceof ClassTree) {
                // javac's parser gives an enum constant the flags public static final, and a new-class initialiser
                boolean enumConstant = owner.getKind() == Tree.Kind.ENUM
                        && field.getInitializer() instanceof NewClassTree;
                if (isApi(field.getModifiers(), owner)) {
                    report(owner() + (enumConstant ? " constant " : " field ") + field.getName());
                }
            }
            return null;
        }
    }
}
