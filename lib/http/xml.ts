// The XML writer is lib/xml/write.ts; this path stays for the modules that still import it.
export { XML_DECLARATION, xmlDocument } from '../xml/write.ts';
