package io.nsnet.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's built artifacts are: surefire runs in integration-tests/, the root is its parent. */
final class Repo {
    private Repo() {
    }

    static Path root() {
        Path dir = Path.of(System.getProperty("nsnet.it.root", System.getProperty("basedir", "."))).toAbsolutePath().normalize();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("agent")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root above " + dir);
    }
}
