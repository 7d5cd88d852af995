package io.nsnet.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What makes two namespace references the same namespace: the device and inode of their nsfs file. Paths
 * differ (/run/netns/x, /proc/PID/ns/net, a bind mount elsewhere) while the identity stays.
 */
public record NsId(long dev, long ino) {

    /** Stats the file behind {@code path}, following the /proc magic links to the nsfs inode. */
    public static NsId of(Path path) {
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino");
            return new NsId(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat namespace " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "net:[" + ino + "]";
    }
}
