"""makemore-style bigram model: count pairs of letters, normalise, score the words, sample new names with
``multinomial`` and a seeded ``Generator``."""

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail",
         "emily", "ella", "elizabeth", "camila", "luna", "sofia", "avery", "mila", "aria", "scarlett"]


def run(torch, samples=5):
    chars = sorted(set("".join(WORDS)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    n = len(stoi)
    N = torch.zeros((n, n), dtype=torch.int32)
    for w in WORDS:
        cs = ["."] + list(w) + ["."]
        for a, b in zip(cs, cs[1:]):
            N[stoi[a], stoi[b]] += 1
    P = (N + 1).float()
    P /= P.sum(1, keepdim=True)
    log_likelihood, count = 0.0, 0
    for w in WORDS:
        cs = ["."] + list(w) + ["."]
        for a, b in zip(cs, cs[1:]):
            log_likelihood += torch.log(P[stoi[a], stoi[b]])
            count += 1
    nll = -log_likelihood / count
    g = torch.Generator().manual_seed(2147483647)
    names = []
    for _ in range(samples):
        out, ix = [], 0
        while True:
            ix = torch.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()
            if ix == 0:
                break
            out.append(itos[ix])
        names.append("".join(out))
    return {"counts": N.tolist(), "total": int(N.sum()), "P row 0": P[0].tolist(), "nll": nll.item(),
            "nll text": f"{nll:.4f}", "names": names}
