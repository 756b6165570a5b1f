// The `camel` command of Camel JBang 4.17 (whose CamelJBangMain has no main method), for bin/camel.
public class CamelCli {
    public static void main(String[] args) {
        org.apache.camel.dsl.jbang.core.commands.CamelJBangMain.run(args);
    }
}
