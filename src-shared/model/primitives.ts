import { z } from 'zod';
import { isValidHost } from '../format/address';

// Building blocks shared by rules, servers and relays.

export const HostSchema = z
  .string()
  .trim()
  .min(1, 'enter a host')
  .max(253, 'host name is too long')
  .refine(isValidHost, { message: 'not a valid host name or IP address' });

export const PortSchema = z
  .number({ message: 'enter a port number' })
  .int('a port is a whole number')
  .min(1, 'port must be between 1 and 65535')
  .max(65535, 'port must be between 1 and 65535');

export const EndpointSchema = z.object({ host: HostSchema, port: PortSchema });
export type Endpoint = z.infer<typeof EndpointSchema>;

export const RuleIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a rule id');
