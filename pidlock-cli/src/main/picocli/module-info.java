/*
 * The descriptor of picocli's own jar (META-INF/versions/9/module-info.class of info.picocli:picocli), for
 * picocli compiled from its sources jar when the pidlock image is built (see NOTICE).
 */
module info.picocli {
    requires static java.sql;
    exports picocli;
}
