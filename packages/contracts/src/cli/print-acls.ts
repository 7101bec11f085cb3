// `pnpm acl:print [json|commands]`: the ACLs the services need, for the platform team.
import { aclCommands, aclEntries } from '../acl';

const format = process.argv[2] ?? 'json';
if (format === 'commands') console.log(aclCommands().join('\n'));
else console.log(JSON.stringify(aclEntries(), null, 2));
