export { XML_DECLARATION, xmlDocument } from '../xml/write.ts';
