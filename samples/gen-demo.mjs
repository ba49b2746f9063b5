// Writes samples/demo.ndjson: an Auth0 user export with the support export's bcrypt hashes
// merged in (bcryptjs, cost 10, as Auth0 writes them), and the kinds of problems real exports
// have. Run by samples/generate-demo.sh, never by CI.
import bcrypt from "bcryptjs";
import { writeFileSync } from "node:fs";

const out = process.argv[2];
const password = "Demo-password-2026";
const first = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Radia", "Edsger",
  "Frances", "Donald", "Hedy", "Tim", "Katherine", "Guido", "Sophie", "Bjarne", "Annie", "John",
  "Shafi", "Leslie", "Adele", "Niklaus", "Jean", "Vint", "Carol", "Whitfield", "Mary", "Rob"];
const last = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Perlman", "Dijkstra",
  "Allen", "Knuth", "Lamarr", "Berners-Lee", "Johnson", "van Rossum", "Wilson", "Stroustrup", "Easley", "McCarthy",
  "Goldwasser", "Lamport", "Goldberg", "Wirth", "Sammet", "Cerf", "Shaw", "Diffie", "Keller", "Pike"];
const lines = [];
first.forEach((f, i) => {
  const oid = (0x64a0c0de00000000n + BigInt(i)).toString(16).padStart(24, "0");
  const user = {
    user_id: `auth0|${oid}`,
    email: `${f.toLowerCase()}.${last[i].toLowerCase().replace(/[^a-z]/g, "")}@example.com`,
    email_verified: i % 5 !== 4,
    given_name: f,
    family_name: last[i],
    created_at: new Date(Date.UTC(2023, i % 12, 1 + i)).toISOString(),
    user_metadata: { plan: i % 3 === 0 ? "pro" : "free" },
    app_metadata: i % 7 === 0 ? { roles: ["admin"] } : {},
    identities: [{ connection: "Username-Password-Authentication", provider: "auth0", isSocial: false }],
  };
  if (i % 6 !== 5) user.passwordHash = bcrypt.hashSync(password, 10);
  if (i % 4 === 1) { user.phone_number = `+1415555${String(1000 + i).padStart(4, "0")}`; user.phone_verified = true; }
  lines.push(user);
});
// The kinds of records real exports carry.
lines.push({ user_id: "auth0|64a0c0de00000000000000f1", email: "not-an-email", email_verified: true, passwordHash: bcrypt.hashSync(password, 10) });
lines.push({ email: "no.id@example.com", email_verified: true });
lines.push({ user_id: "auth0|64a0c0de00000000000000f2", email: "truncated@example.com", email_verified: true, passwordHash: bcrypt.hashSync(password, 10).slice(0, 59) });
lines.push({ user_id: "auth0|64a0c0de00000000000000f3", email: "phone.bad@example.com", email_verified: true, phone_number: "555-0100", phone_verified: true });
lines.push({ user_id: "google-oauth2|1099", email: "social.user@example.com", email_verified: true, given_name: "Sam", family_name: "Social",
  identities: [{ connection: "google-oauth2", provider: "google-oauth2", isSocial: true }] });
lines.push({ user_id: "auth0|64a0c0de00000000000000f4", email: "blocked@example.com", email_verified: true, blocked: true, passwordHash: bcrypt.hashSync(password, 10) });
// The same person signed up again through another connection: a duplicate within the file.
lines.push({ user_id: "email|64a0c0de00000000000000f5", email: "Ada.Lovelace@example.com", email_verified: true, given_name: "Ada",
  identities: [{ connection: "email", provider: "email", isSocial: false }] });
writeFileSync(out, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
const ids = lines.filter((l) => l.passwordHash && l.passwordHash.length === 60 && l.user_id && l.email.includes("@example.com"))
  .slice(0, 5).map((l) => `${l.user_id},${password}`);
writeFileSync(out.replace(/\.ndjson$/, ".passwords.csv"), "user_id,password\n" + ids.join("\n") + "\n");
console.log(JSON.stringify({ bcryptjs: JSON.parse((await import("node:fs")).readFileSync(new URL("./node_modules/bcryptjs/package.json", import.meta.url))).version }));
