package ai.dstack.backend.ssh.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * Stand-ins for the disk tools of a fake cloud VM ({@code sudo lsblk blkid mkfs.ext4 mount umount mountpoint}), put
 * in the VM's {@code ~/bin} (first on its PATH): a fake VM is a shell on this machine, which has no cloud disk to
 * mount. Each records its command line in {@code ~/disk-commands.log}; {@code mkfs.ext4} gives the device a
 * filesystem that {@code blkid} reports afterwards; {@code mount DEVICE DIR} writes the device into
 * {@code DIR/MOUNTED_DEVICE}, which {@code mountpoint} checks and {@code umount} removes.
 */
public final class FakeVmDiskTools {
    public static final String LOG = "disk-commands.log";

    private static final String LOG_LINE = "echo \"$(basename \"$0\") $*\" >> \"$HOME/" + LOG + "\"\n";
    private static final Map<String, String> TOOLS = Map.of(
            "sudo", LOG_LINE + "exec \"$@\"\n",
            "lsblk", LOG_LINE + "exit 0\n",
            "blkid", LOG_LINE + "for a in \"$@\"; do dev=\"$a\"; done\n"
                    + "f=\"$HOME/.fake-disks/$(echo \"$dev\" | tr / _).fs\"\n"
                    + "if [ -f \"$f\" ]; then cat \"$f\"; exit 0; fi\nexit 2\n",
            "mkfs.ext4", LOG_LINE + "for a in \"$@\"; do dev=\"$a\"; done\nmkdir -p \"$HOME/.fake-disks\"\n"
                    + "echo ext4 > \"$HOME/.fake-disks/$(echo \"$dev\" | tr / _).fs\"\n",
            "mount", LOG_LINE + "echo \"$1\" > \"$2/MOUNTED_DEVICE\"\n",
            "umount", LOG_LINE + "rm -f \"$1/MOUNTED_DEVICE\"\n",
            "mountpoint", LOG_LINE + "[ -f \"$2/MOUNTED_DEVICE\" ]\n");

    private FakeVmDiskTools() {}

    /** Installs the stand-ins in {@code home/bin}. */
    public static void install(Path home) {
        try {
            Path bin = Files.createDirectories(home.resolve("bin"));
            for (var tool : TOOLS.entrySet()) {
                Path file = bin.resolve(tool.getKey());
                Files.writeString(file, "#!/bin/bash\n" + tool.getValue());
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The disk commands the VM ran, in order. */
    public static List<String> commands(Path home) {
        try {
            Path log = home.resolve(LOG);
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
