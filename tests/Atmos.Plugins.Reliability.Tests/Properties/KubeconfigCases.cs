using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Atmos.Plugins.Reliability.Tests.Properties;

/// <summary>
/// One entry of a generated kubeconfig list: the lines before its "-" (comments and blank lines, not part of it), its
/// own lines (the "-" line through its last value), its name and whether it is to be removed.
/// </summary>
public sealed record KubeItem(IReadOnlyList<string> Lead, IReadOnlyList<string> Lines, string Name, bool Remove);

/// <summary>A top-level part of a generated kubeconfig: a plain line (apiVersion, kind...), a list, or current-context.</summary>
public abstract record KubePart
{
    /// <summary>A key and its value on one line, with the lines before it.</summary>
    public sealed record Line(IReadOnlyList<string> Lead, string Text) : KubePart;

    /// <summary>clusters, contexts or users: the key line, its entries, and the lines after the last one.</summary>
    public sealed record List(string Key, string KeySuffix, IReadOnlyList<KubeItem> Items, IReadOnlyList<string> Trailing) : KubePart;

    /// <summary>current-context: its value as written (quoted or plain) and the name it stands for.</summary>
    public sealed record Current(string Written, string Value) : KubePart;
}

/// <summary>
/// A generated kubeconfig known part by part, with the entries to remove: its bytes are built from the parts, and so is
/// the expected result of a removal, under the rule of docs/decisions.md §13, never by parsing.
/// </summary>
public sealed record KubeconfigCase(bool Bom, string NewLine, IReadOnlyList<KubePart> Parts)
{
    public byte[] Bytes => Encode(Write(removed: false));

    public IReadOnlySet<string> Removed(string list) =>
        Parts.OfType<KubePart.List>().Where(l => l.Key == list).SelectMany(l => l.Items).Where(i => i.Remove).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);

    public int RemovedCount => Parts.OfType<KubePart.List>().Sum(l => l.Items.Count(i => i.Remove));

    public bool NothingLeft => Parts.OfType<KubePart.List>().All(l => l.Items.All(i => i.Remove));

    public byte[] Expected => Encode(Write(removed: true));

    public override string ToString() => Encoding.UTF8.GetString(Bytes).Replace("\r", "\\r", StringComparison.Ordinal) + "\nremove: " + string.Join(", ", Parts.OfType<KubePart.List>().SelectMany(l => l.Items.Where(i => i.Remove).Select(i => $"{l.Key}/{i.Name}")));

    private byte[] Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return Bom ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes;
    }

    private string Write(bool removed)
    {
        var contexts = Removed("contexts");
        var lines = new List<string>();
        foreach (var part in Parts)
        {
            switch (part)
            {
                case KubePart.Line line:
                    lines.AddRange(line.Lead);
                    lines.Add(line.Text);
                    break;
                case KubePart.Current current:
                    lines.Add("current-context: " + (removed && contexts.Contains(current.Value) ? "\"\"" : current.Written));
                    break;
                case KubePart.List list:
                    WriteList(list, removed, lines);
                    break;
            }
        }

        return string.Concat(lines.Select(l => l + NewLine));
    }

    private static void WriteList(KubePart.List list, bool removed, List<string> lines)
    {
        var items = list.Items;
        if (removed && items.Count > 0 && items.All(i => i.Remove))
        {
            // Emptied: "key: []", the lines before the first entry kept, everything from its "-" to the last entry's end gone.
            lines.Add($"{list.Key}: []{list.KeySuffix}");
            lines.AddRange(items[0].Lead);
            lines.AddRange(list.Trailing);
            return;
        }

        lines.Add($"{list.Key}:{list.KeySuffix}");
        for (var i = 0; i < items.Count; i++)
        {
            var lead = items[i].Lead.ToList();
            if (removed && i > 0 && items[i - 1].Remove)
            {
                // The removed entry before took the blank lines up to the first comment of this lead (all of it without one).
                var firstComment = lead.FindIndex(l => l.TrimStart().StartsWith('#'));
                lead = firstComment < 0 ? [] : lead[firstComment..];
            }

            lines.AddRange(lead);
            if (!(removed && items[i].Remove))
            {
                lines.AddRange(items[i].Lines);
            }
        }

        lines.AddRange(list.Trailing);
    }
}

/// <summary>FsCheck generators of kubeconfigs as client-go and people write them.</summary>
public static class KubeconfigCases
{
    // Names as written (plain, double- or single-quoted) and what they stand for.
    private static readonly (string Written, string Value)[] Names =
    [
        ("arn:aws:eks:us-east-1:111111111111:cluster/dev", "arn:aws:eks:us-east-1:111111111111:cluster/dev"),
        ("\"arn:aws:eks:eu-west-1:222222222222:cluster/prod\"", "arn:aws:eks:eu-west-1:222222222222:cluster/prod"),
        ("dev", "dev"),
        ("'my #context'", "my #context"),
        ("kind-kind", "kind-kind"),
        ("/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks", "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"),
        ("projects/p/locations/europe-west1/clusters/gke", "projects/p/locations/europe-west1/clusters/gke"),
        ("atmos-eks-dev-us-east-1", "atmos-eks-dev-us-east-1"),
        ("\"é 日本\"", "é 日本"),
    ];

    private static readonly string[] LeadLines = ["", "# a comment", "  # indented comment", "#", ""];

    public static Gen<KubeconfigCase> Documents { get; } =
        from bom in Gen.Elements(false, true)
        from newLine in Gen.Elements("\n", "\r\n")
        from preamble in Lead(2)
        from indent in Gen.Elements("", "  ")
        from clusters in ListOf("clusters", indent)
        from contexts in ListOf("contexts", indent)
        from users in ListOf("users", indent)
        from current in Gen.Elements(Names)
        from hasCurrent in Gen.Elements(true, true, false)
        from order in Gen.Shuffle(new[] { 0, 1, 2, 3, 4, 5, 6 })
        let fixedParts = new KubePart[]
        {
            new KubePart.Line(preamble, "apiVersion: v1"),
            new KubePart.Line([], "kind: Config"),
            new KubePart.Line([], "preferences: {}"),
            hasCurrent ? new KubePart.Current(current.Written, current.Value) : new KubePart.Line([], "# no current-context"),
            clusters,
            contexts,
            users,
        }
        select new KubeconfigCase(bom, newLine, order.Select(i => fixedParts[i]).ToList());

    private static Gen<IReadOnlyList<string>> Lead(int max) =>
        Gen.Choose(0, max).SelectMany(n => Gen.ArrayOf(Gen.Elements(LeadLines), n)).Select(a => (IReadOnlyList<string>)a);

    private static Gen<KubePart> ListOf(string key, string indent) =>
        from count in Gen.Choose(0, 4)
        from names in Gen.Shuffle(Names).Select(n => n.Take(count).ToList())
        from leads in Gen.ArrayOf(Lead(3), count)
        from shapes in Gen.ArrayOf(Gen.Choose(0, 2), count)
        from removes in Gen.ArrayOf(Gen.Elements(false, true), count)
        from suffix in Gen.Elements("", " # the " + key)
        from trailing in Lead(2)
        select (KubePart)new KubePart.List(
            key,
            suffix,
            Enumerable.Range(0, count).Select(i => new KubeItem(leads[i], Body(key, indent, names[i].Written, shapes[i]), names[i].Value, removes[i])).ToList(),
            trailing);

    // An entry's own lines, in one of three shapes: the value map first (client-go), the name first, or "-" alone.
    private static IReadOnlyList<string> Body(string key, string indent, string name, int shape)
    {
        var inner = key switch
        {
            "clusters" => new[] { "cluster:", "  certificate-authority-data: LS0tLS1CRUdJTg==", "  server: https://example.com:443 # endpoint" },
            "contexts" => ["context:", "  cluster: dev", "  user: atmos-eks-dev-us-east-1", "  namespace: default"],
            _ => ["user:", "  exec:", "    apiVersion: client.authentication.k8s.io/v1beta1", "    args:", "    - aws", "    - eks", "    command: atmos", "    env:", "    - name: ATMOS_IDENTITY", "      value: dev", "    interactiveMode: Never"],
        };
        var pad = indent + "  ";
        return shape switch
        {
            0 => [indent + "- " + inner[0], .. inner.Skip(1).Select(l => pad + l), pad + "name: " + name],
            1 => [indent + "- name: " + name, .. inner.Select(l => pad + l)],
            _ => [indent + "-", pad + "name: " + name, .. inner.Select(l => pad + l)],
        };
    }
}
